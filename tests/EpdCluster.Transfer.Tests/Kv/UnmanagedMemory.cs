using System.Buffers;
using System.Runtime.InteropServices;

namespace EpdCluster.Transfer.Tests.Kv;

/// <summary>Memory that no managed array backs, as a tensor's storage is: senders must not assume arrays.</summary>
internal sealed unsafe class UnmanagedMemory : MemoryManager<byte>
{
    private readonly byte* _pointer;
    private readonly int _length;

    public UnmanagedMemory(ReadOnlySpan<byte> contents)
    {
        _length = contents.Length;
        _pointer = (byte*)NativeMemory.Alloc((nuint)_length);
        contents.CopyTo(new Span<byte>(_pointer, _length));
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing) => NativeMemory.Free(_pointer);
}
