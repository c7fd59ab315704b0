"""The product's brain: plain Python, importable and testable without Streamlit."""
