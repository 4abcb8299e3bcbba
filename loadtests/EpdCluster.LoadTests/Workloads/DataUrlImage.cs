namespace EpdCluster.LoadTests.Workloads;

/// <summary>An image already encoded as a data: URL (from a dataset file).</summary>
internal sealed class DataUrlImage(string key, string dataUrl) : IRequestImage
{
    public string Key { get; } = key;

    public string ToDataUrl() => dataUrl;
}
