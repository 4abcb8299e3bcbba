namespace EpdCluster.Engine.Text;

/// <summary>Where image <see cref="ImageIndex"/>'s placeholder tokens sit in a prompt: <see cref="TokenCount"/> ids from <see cref="Start"/>.</summary>
public readonly record struct ImageSpan(int ImageIndex, int Start, int TokenCount);
