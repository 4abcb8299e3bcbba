namespace EpdCluster.Engine.Model;

/// <summary>Which model a process serves and where its weights come from. Section <c>Epd:Model</c>.</summary>
public sealed class ModelOptions
{
    public const string SectionName = "Epd:Model";

    /// <summary>The model id clients send (<c>"model"</c> in the OpenAI API) and the built-in architecture for dummy weights.</summary>
    public string Name { get; set; } = "epd-tiny";

    /// <summary>
    /// A checkpoint directory (config.json + safetensors). Empty: the checkpoint shipped for <see cref="Name"/>, else
    /// seeded dummy weights (see <see cref="LoadFormat"/>).
    /// </summary>
    public string? Path { get; set; }

    /// <summary>When <see cref="Path"/> is empty: <c>Auto</c> (default) serves the shipped checkpoint if there is one, <c>Dummy</c> always seeded dummy weights.</summary>
    public ModelLoadFormat LoadFormat { get; set; } = ModelLoadFormat.Auto;

    /// <summary>
    /// Shipped checkpoints, one sub-directory per model name. Default: <c>models/</c> beside the executable, where every
    /// build copies the repository's <c>models/</c> directory.
    /// </summary>
    public string ShippedModelsDirectory { get; set; } = System.IO.Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>Seed of the dummy weights; every process of a cluster must use the same.</summary>
    public long DummySeed { get; set; }

    /// <summary>Where dummy checkpoints are written once and then loaded by every process on this machine.</summary>
    public string CacheDirectory { get; set; } = System.IO.Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "epd", "models");

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new InvalidOperationException($"{SectionName}:Name must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(Path) && EpdModelConfig.ForName(Name) is null)
        {
            throw new InvalidOperationException($"{SectionName}:Name '{Name}' is not a built-in model (epd-tiny, epd-small); set {SectionName}:Path to a checkpoint directory.");
        }

        if (!string.IsNullOrWhiteSpace(Path) && !Directory.Exists(Path))
        {
            throw new InvalidOperationException($"{SectionName}:Path '{Path}' does not exist.");
        }

        if (!string.IsNullOrWhiteSpace(Path) && LoadFormat == ModelLoadFormat.Dummy)
        {
            throw new InvalidOperationException($"{SectionName}:LoadFormat=Dummy and {SectionName}:Path exclude each other: dummy weights are generated, not loaded from a path.");
        }

        if (!Enum.IsDefined(LoadFormat))
        {
            throw new InvalidOperationException($"{SectionName}:LoadFormat must be Auto or Dummy, not {LoadFormat}.");
        }
    }

    /// <summary>The shipped checkpoint this configuration serves (no <see cref="Path"/>, <c>Auto</c>, one shipped for <see cref="Name"/>), or null.</summary>
    public string? ShippedCheckpointDirectory()
    {
        if (!string.IsNullOrWhiteSpace(Path) || LoadFormat != ModelLoadFormat.Auto)
        {
            return null;
        }

        var directory = System.IO.Path.Combine(ShippedModelsDirectory, Name);
        return File.Exists(System.IO.Path.Combine(directory, Weights.ModelCheckpoint.WeightsFileName))
            && File.Exists(System.IO.Path.Combine(directory, Weights.ModelCheckpoint.ConfigFileName))
            ? directory
            : null;
    }

    /// <summary>The checkpoint directory to load: <see cref="Path"/>, the shipped checkpoint, or the dummy checkpoint (written first if absent).</summary>
    public string ResolveCheckpointDirectory()
    {
        Validate();
        if (!string.IsNullOrWhiteSpace(Path))
        {
            return Path;
        }

        if (ShippedCheckpointDirectory() is { } shipped)
        {
            return shipped;
        }

        var config = EpdModelConfig.ForName(Name)!;
        var directory = System.IO.Path.Combine(CacheDirectory, $"{Name}-dummy-seed{DummySeed}-v{Weights.DummyWeights.LayoutVersion}");
        return Weights.DummyWeights.EnsureCheckpoint(config, directory, DummySeed);
    }

    /// <summary>The model's configuration without its weights: the built-in one, or the checkpoint directory's.</summary>
    public EpdModelConfig ReadConfig()
    {
        Validate();
        return string.IsNullOrWhiteSpace(Path) ? EpdModelConfig.ForName(Name)! : Weights.ModelCheckpoint.ReadConfig(Path).Config;
    }

    /// <summary>Loads the model this configuration names, in eval mode.</summary>
    public MultimodalModel Load() => Weights.ModelCheckpoint.Load(ResolveCheckpointDirectory());
}
