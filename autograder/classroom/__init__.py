"""A whole class: find the submissions, grade them in parallel, keep the gradebook, summarise."""
