using System.Text.Json.Nodes;
using EpdCluster.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Weights;

/// <summary>
/// A model directory: <c>config.json</c> plus <c>model.safetensors</c>, or shards listed in
/// <c>model.safetensors.index.json</c> (Hugging Face layout). Loading is strict: every parameter must be
/// present with its exact shape, and the checkpoint must hold nothing the model does not know.
/// </summary>
public static class ModelCheckpoint
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Loads config and weights from <paramref name="directory"/> into a new model in eval mode.</summary>
    public static MultimodalModel Load(string directory)
    {
        var (config, llava) = ReadConfig(directory);
        var model = new MultimodalModel(config);
        try
        {
            LoadWeights(model, OpenWeightFiles(directory), llava ? LlavaCheckpointLayout.MapTensorName : name => name);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The model configuration of a checkpoint directory, in this engine's layout or LLaVA-1.5's (translated).</summary>
    public static (EpdModelConfig Config, bool IsLlava) ReadConfig(string directory)
    {
        var configPath = System.IO.Path.Combine(directory, ConfigFileName);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"Model directory {directory} has no {ConfigFileName}.", configPath);
        }

        var json = JsonNode.Parse(File.ReadAllText(configPath))?.AsObject() ?? throw new InvalidDataException($"{configPath} is empty.");
        return LlavaCheckpointLayout.Matches(json)
            ? (LlavaCheckpointLayout.Translate(json, System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(directory))), true)
            : (EpdModelConfig.Load(configPath), false);
    }

    /// <summary>
    /// Copies every parameter from <paramref name="files"/>, whose tensor names <paramref name="mapName"/> turns into
    /// parameter names (null: not a parameter, skipped); throws naming the first tensor that is missing, extra or misshapen.
    /// </summary>
    public static void LoadWeights(nn.Module model, IReadOnlyList<SafetensorsFile> files, Func<string, string?> mapName)
    {
        var available = new Dictionary<string, (SafetensorsFile File, string TensorName)>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var tensorName in file.Entries.Keys)
            {
                if (mapName(tensorName) is { } name)
                {
                    available[name] = (file, tensorName);
                }
            }
        }

        var parameters = model.state_dict();
        var missing = parameters.Keys.Where(n => !available.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"Checkpoint lacks {missing.Count} tensor(s) the model needs, first '{missing[0]}' with shape [{string.Join(", ", parameters[missing[0]].shape)}].");
        }

        var unexpected = available.Keys.Where(n => !parameters.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
        {
            var (file, tensorName) = available[unexpected[0]];
            throw new InvalidDataException($"Checkpoint holds {unexpected.Count} tensor(s) the model does not have, first '{tensorName}' (shape {file.Entries[tensorName].ShapeText}).");
        }

        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            var (file, tensorName) = available[name];
            var entry = file.Entries[tensorName];
            if (!entry.Shape.SequenceEqual(parameter.shape))
            {
                throw new InvalidDataException($"Tensor '{tensorName}' has shape {entry.ShapeText} in {file.Path}, but the model expects [{string.Join(", ", parameter.shape)}].");
            }

            using var loaded = file.ReadFloat32(tensorName);
            parameter.copy_(loaded);
        }
    }

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> for <paramref name="model"/> into <paramref name="directory"/>.</summary>
    public static void Save(MultimodalModel model, string directory, bool asFloat16, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(directory);

        // Config first, weights last: a reader that finds the weights file finds a complete directory.
        model.Config.Save(System.IO.Path.Combine(directory, ConfigFileName));
        SafetensorsFile.Write(System.IO.Path.Combine(directory, WeightsFileName), model.state_dict(), asFloat16, metadata);
    }

    private static List<SafetensorsFile> OpenWeightFiles(string directory)
    {
        var single = System.IO.Path.Combine(directory, WeightsFileName);
        if (File.Exists(single))
        {
            return [SafetensorsFile.Open(single)];
        }

        var index = System.IO.Path.Combine(directory, IndexFileName);
        if (!File.Exists(index))
        {
            throw new FileNotFoundException($"Model directory {directory} has neither {WeightsFileName} nor {IndexFileName}.");
        }

        var weightMap = JsonNode.Parse(File.ReadAllText(index))?["weight_map"]?.AsObject()
            ?? throw new InvalidDataException($"{index} has no weight_map.");
        return weightMap.Select(kv => kv.Value!.GetValue<string>()).Distinct(StringComparer.Ordinal)
            .Select(shard => SafetensorsFile.Open(System.IO.Path.Combine(directory, shard))).ToList();
    }
}
