using System.Buffers.Binary;

namespace OpenCkv.KeyTransparency.Tls;

/// <summary>
/// Strict reader of the TLS presentation language as KEYTRANS uses it (KT §2.1): big-endian integers, fixed
/// arrays, vectors whose length prefix counts <em>elements</em> (§2.1.2) and is as wide as the ceiling needs, and
/// <c>optional&lt;T&gt;</c> whose presence byte must be 0 or 1 (§2.1.1). Every failure is a
/// <see cref="KtFormatException"/> naming the offset.
/// </summary>
public ref struct TlsReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    /// <summary>Reads from the start of <paramref name="buffer"/>.</summary>
    public TlsReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Throws unless every byte was consumed (no trailing data).</summary>
    public readonly void EnsureEnd()
    {
        if (Remaining != 0)
        {
            throw Fail($"{Remaining} trailing byte(s)");
        }
    }

    /// <summary>uint8.</summary>
    public byte ReadUInt8() => Take(1)[0];

    /// <summary>uint16, big-endian.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    /// <summary>uint32, big-endian.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>uint64, big-endian.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    /// <summary>A fixed-length array such as <c>opaque root[Hash.Nh]</c>.</summary>
    public ReadOnlySpan<byte> ReadFixed(int length) => Take(length);

    /// <summary>
    /// <c>opaque data&lt;floor..ceiling&gt;</c>: a length prefix as wide as <paramref name="ceiling"/> needs, then
    /// that many bytes.
    /// </summary>
    public ReadOnlySpan<byte> ReadOpaque(ulong ceiling, ulong floor = 0)
    {
        int count = ReadVectorCount(ceiling, floor);
        return Take(count);
    }

    /// <summary>
    /// The element count of <c>T items&lt;floor..ceiling&gt;</c>, checked against the bounds and against the bytes left
    /// (every element takes at least <paramref name="minElementSize"/> bytes), so a forged count cannot make the
    /// caller allocate more than the input could hold.
    /// </summary>
    public int ReadVectorCount(ulong ceiling, ulong floor = 0, int minElementSize = 1)
    {
        int start = _position;
        ulong count = TlsWriter.LengthPrefixSize(ceiling) switch
        {
            1 => ReadUInt8(),
            2 => ReadUInt16(),
            3 => ReadUInt24(),
            _ => ReadUInt32(),
        };

        if (count > ceiling || count < floor)
        {
            throw new KtFormatException($"vector length {count} outside <{floor}..{ceiling}>", start);
        }

        if (count * (ulong)Math.Max(minElementSize, 1) > (ulong)Remaining)
        {
            throw new KtFormatException($"vector length {count} exceeds the {Remaining} byte(s) left", start);
        }

        return (int)count;
    }

    /// <summary><c>T items&lt;floor..ceiling&gt;</c> of codec structures.</summary>
    public T[] ReadVector<T>(ulong ceiling, ulong floor = 0, int minElementSize = 1)
        where T : ITlsCodec<T>
    {
        int count = ReadVectorCount(ceiling, floor, minElementSize);
        var items = new T[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = T.Decode(ref this);
        }

        return items;
    }

    /// <summary>The presence byte of <c>optional&lt;T&gt;</c>: 0 → false, 1 → true, anything else is malformed.</summary>
    public bool ReadPresence()
    {
        int start = _position;
        byte present = ReadUInt8();
        return present switch
        {
            0 => false,
            1 => true,
            _ => throw new KtFormatException($"optional presence byte {present} is neither 0 nor 1", start),
        };
    }

    /// <summary><c>optional&lt;uint32&gt;</c>.</summary>
    public uint? ReadOptionalUInt32() => ReadPresence() ? ReadUInt32() : null;

    /// <summary><c>optional&lt;uint64&gt;</c>.</summary>
    public ulong? ReadOptionalUInt64() => ReadPresence() ? ReadUInt64() : null;

    /// <summary><c>optional&lt;T&gt;</c> of a codec structure.</summary>
    public T? ReadOptional<T>()
        where T : class, ITlsCodec<T> =>
        ReadPresence() ? T.Decode(ref this) : null;

    /// <summary>A uint8 enum value, rejected unless <paramref name="isKnown"/> accepts it.</summary>
    public byte ReadEnum8(Func<byte, bool> isKnown, string enumName)
    {
        ArgumentNullException.ThrowIfNull(isKnown);
        int start = _position;
        byte value = ReadUInt8();
        return isKnown(value) ? value : throw new KtFormatException($"unknown {enumName} value {value}", start);
    }

    /// <summary>A uint16 enum value, rejected unless <paramref name="isKnown"/> accepts it.</summary>
    public ushort ReadEnum16(Func<ushort, bool> isKnown, string enumName)
    {
        ArgumentNullException.ThrowIfNull(isKnown);
        int start = _position;
        ushort value = ReadUInt16();
        return isKnown(value) ? value : throw new KtFormatException($"unknown {enumName} value {value}", start);
    }

    /// <summary>A failure at the current position, for structure-level checks made by callers.</summary>
    public readonly KtFormatException Fail(string reason) => new(reason, _position);

    private uint ReadUInt24()
    {
        ReadOnlySpan<byte> b = Take(3);
        return ((uint)b[0] << 16) | ((uint)b[1] << 8) | b[2];
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > Remaining)
        {
            throw new KtFormatException($"needed {length} byte(s), {Remaining} left", _position);
        }

        ReadOnlySpan<byte> slice = _buffer.Slice(_position, length);
        _position += length;
        return slice;
    }
}
