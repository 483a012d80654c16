"""The bridge between the grader and the student's kernel: plain data both ways, never pickle.

kernel_side runs inside the kernel (sent as source text), grader_side in the grader;
wire documents what crosses between them; safe_model rebuilds Keras models from it.
"""
