"""The REST API of the firewall rules: versions, downloads, changes and formats."""
