"""Attendance of logistics staff: shifts, rosters, leave, overtime, punches, daily results, reports."""
