"""What every room stands on: who may do what (roles), background-run leases, and health."""
