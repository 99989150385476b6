"""Platform adapters: each turns its platform's input into ChatEvents and renders replies."""
