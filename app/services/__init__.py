"""The rules of the product; free of HTTP and of any storage SDK."""
