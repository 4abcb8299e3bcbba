namespace EpdCluster.LoadTests.Workloads;

/// <summary>How a synthetic image is encoded before it is sent as a data: URL.</summary>
internal enum ImageFormat
{
    Png,
    Jpeg,
}
