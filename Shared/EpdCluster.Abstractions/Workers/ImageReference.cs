namespace EpdCluster.Abstractions.Workers;

/// <summary>An image whose embeddings are in the multimodal token cache, and where they go in the prompt.</summary>
[GenerateSerializer, Immutable, Alias("epd.ImageReference")]
public sealed record ImageReference(
    [property: Id(0)] string ImageHash,
    [property: Id(1)] int TileCount,
    [property: Id(2)] int PromptStart,
    [property: Id(3)] int TokenCount);
