"""Platform plumbing shared by every app: outbox, leases, registries, health, base views."""
