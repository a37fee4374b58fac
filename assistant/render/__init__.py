"""Human-readable renderings of core results (text now; Markdown, HTML and .docx later)."""
