"""Organization: campuses, departments, locations, teams, staff, users and roles."""
