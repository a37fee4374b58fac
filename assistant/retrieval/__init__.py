"""Knowledge base: passages from past reports and policy documents, searched by BM25 and dense vectors."""
