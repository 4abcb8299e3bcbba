namespace EpdCluster.Transfer;

/// <summary>How float tensors are stored in caches and staging: fp32 as produced, or fp16 for half the bytes.</summary>
public enum TensorDType
{
    F32,
    F16,
}
