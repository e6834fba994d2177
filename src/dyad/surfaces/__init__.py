"""What users meet: the command line, reports and the HTTP server (thin shells over the library)."""
