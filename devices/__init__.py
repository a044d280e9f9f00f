"""Attendance terminals (ZKTeco): pull with pyzk, ADMS push endpoint, USB-file import, simulator."""
