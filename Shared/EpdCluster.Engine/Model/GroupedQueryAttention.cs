using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>
/// Attention where several query heads share one key/value head, computed without copying K/V per query head:
/// the G query heads of a group are folded into the query-length axis, so each K/V head is read once.
/// </summary>
internal static class GroupedQueryAttention
{
    /// <param name="q">[B, nq, H, d]</param>
    /// <param name="k">[B, T, kvH, d]</param>
    /// <param name="v">[B, T, kvH, d]</param>
    /// <param name="mask">[B or 1, nq, T] bool: true where a query may attend to a key.</param>
    /// <returns>[B, nq, H·d]; query head h uses key/value head h / G (Hugging Face's repeat_kv order).</returns>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor mask)
    {
        var (b, nq, heads, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3]);
        var (t, kvHeads) = (k.shape[1], k.shape[2]);
        var groups = heads / kvHeads;
        var folded = q.view(b, nq, kvHeads, groups, d).permute(0, 2, 3, 1, 4).reshape(b, kvHeads, groups * nq, d);
        var maskBatch = mask.shape[0];
        var foldedMask = mask.view(maskBatch, 1, 1, nq, t).expand(maskBatch, 1, groups, nq, t).reshape(maskBatch, 1, groups * nq, t);
        var attended = nn.functional.scaled_dot_product_attention(folded, k.transpose(1, 2), v.transpose(1, 2), attn_mask: foldedMask);
        return attended.view(b, kvHeads, groups, nq, d).permute(0, 3, 1, 2, 4).reshape(b, nq, heads * d);
    }
}
