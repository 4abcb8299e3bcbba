namespace EpdCluster.Engine.Model;

/// <summary>Where a built-in model's weights come from when no checkpoint path is configured.</summary>
public enum ModelLoadFormat
{
    /// <summary>The checkpoint shipped for the model (epd-tiny's trained weights), or seeded dummy weights if none is shipped.</summary>
    Auto,

    /// <summary>Always seeded dummy weights (like vLLM's <c>--load-format dummy</c>), even when a checkpoint is shipped.</summary>
    Dummy,
}
