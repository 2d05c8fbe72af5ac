"""Staff records are kept on the provider's pages, not in the admin."""
