using EpdCluster.Engine.Imaging;

namespace EpdCluster.Runtime.Client;

/// <summary>A preprocessed image of a request and its content hash (the token cache key).</summary>
public sealed record ClusterImage(PreprocessedImage Image, string Hash);
