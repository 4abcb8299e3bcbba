namespace EpdCluster.LoadTests.Workloads;

/// <summary>An image attached to a request, turned into a data: URL just before the request is sent (outside its timing).</summary>
internal interface IRequestImage
{
    /// <summary>A stable identity: equal keys mean byte-identical images (what a server-side image cache can hit).</summary>
    string Key { get; }

    string ToDataUrl();
}
