using EpdCluster.Engine.Model;

namespace EpdCluster.Engine.Serving;

/// <summary>What makes a request one an engine can never serve; shared by every <see cref="ILlmEngine"/>.</summary>
internal static class GenerationRequestRules
{
    /// <summary>Throws <see cref="ArgumentException"/> naming what is wrong with <paramref name="request"/>.</summary>
    /// <param name="usableBlocks">The most KV blocks one sequence may take (the pool minus its watermark).</param>
    public static void Validate(GenerationRequest request, TextConfig text, int blockSize, int usableBlocks)
    {
        request.Sampling.Validate();
        request.KvProbes?.Validate();
        var prompt = request.PromptIds;
        var maxModelLength = text.MaxPositionEmbeddings;
        if (prompt.Length == 0)
        {
            throw new ArgumentException("The prompt is empty.");
        }

        if (prompt.Length >= maxModelLength)
        {
            throw new ArgumentException($"The prompt has {prompt.Length} tokens; the model's context is {maxModelLength}, which must also hold at least one generated token.");
        }

        var vocabulary = text.VocabSize;
        foreach (var id in prompt)
        {
            if ((uint)id >= (uint)vocabulary)
            {
                throw new ArgumentException($"Token id {id} is outside the vocabulary (0..{vocabulary - 1}).");
            }
        }

        var width = text.HiddenSize;
        var covered = new bool[prompt.Length];
        foreach (var image in request.Images)
        {
            if (image.TokenCount < 1 || image.Start < 0 || image.Start + image.TokenCount > prompt.Length)
            {
                throw new ArgumentException($"Image rows at {image.Start}..{image.Start + image.TokenCount - 1} do not fit a {prompt.Length}-token prompt.");
            }

            if (image.Embeddings.Length != (long)image.TokenCount * width)
            {
                throw new ArgumentException($"Image at {image.Start} has {image.Embeddings.Length} floats; {image.TokenCount} rows of width {width} need {image.TokenCount * width}.");
            }

            for (var i = image.Start; i < image.Start + image.TokenCount; i++)
            {
                covered[i] = covered[i] ? throw new ArgumentException($"Images overlap at prompt position {i}.") : true;
            }
        }

        var promptBlocks = (prompt.Length + blockSize) / blockSize; // the prompt plus its first generated token
        if (promptBlocks > usableBlocks)
        {
            throw new ArgumentException($"The prompt needs {promptBlocks} KV blocks; this worker's cache can give one sequence at most {usableBlocks}.");
        }
    }
}
