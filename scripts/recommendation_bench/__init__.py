"""Ground truth for scoring hessdiag's optimizer-family call: seeded cases (`cases`) and the tuned
training races that decide, per case, whether sign-based or Euclidean optimisers win (`ground_truth`).
Pure PyTorch; hessdiag is not imported."""
