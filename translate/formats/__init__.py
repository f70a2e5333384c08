"""Output and exchange formats for translation records, one module per format."""
