"""One submission: read it, merge it into the template, run it in a kernel, test it, in a watched child."""
