namespace EpdCluster.Training.Scenes;

/// <summary>Which tiling a generated image gets from the served preprocessing.</summary>
public enum SceneLayout
{
    /// <summary>Small and nearly square: one tile, no thumbnail.</summary>
    SingleTile,

    /// <summary>Wide, tall or large: two or more grid tiles plus the thumbnail.</summary>
    MultiTile,
}
