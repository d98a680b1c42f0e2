"""Language models: the chat model factory, prompts, the local model file and its server."""
