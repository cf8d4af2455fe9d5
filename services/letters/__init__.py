"""The case's letters as PDF (issue 15 item 3; docs/process-bundle.md, « Courriers »)."""
