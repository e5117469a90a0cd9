"""Title encoders: the sentence-transformer, its ONNX export and the torch-free ONNX encoder."""
