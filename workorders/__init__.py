"""Work orders: repair requests, dispatch rules, the closed loop to a rated close, SLA."""
