"""The service layer: loads rows, calls the domain, commits."""
