"""Drafting assistant for 财政支出项目绩效自评报告: deterministic core, retrieval, chat service."""
import os

# One BLAS thread per call: the server's parallelism is its concurrent requests, and idle OpenBLAS
# threads spinning after a vector scan were measured to double the next query embedding on 2 cores.
# Set before numpy loads; an explicit setting in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
