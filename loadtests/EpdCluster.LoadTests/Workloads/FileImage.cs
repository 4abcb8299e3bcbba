namespace EpdCluster.LoadTests.Workloads;

/// <summary>An image file from a dataset, read when its request is about to be sent.</summary>
internal sealed class FileImage(string path, string mimeType) : IRequestImage
{
    public string Key => path;

    public string ToDataUrl() => $"data:{mimeType};base64,{Convert.ToBase64String(File.ReadAllBytes(path))}";
}
