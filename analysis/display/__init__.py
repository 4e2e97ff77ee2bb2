"""Display: the plotting theme, the figures shared by chapters and tables for HTML and PDF."""
