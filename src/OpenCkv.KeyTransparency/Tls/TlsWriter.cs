using System.Buffers.Binary;

namespace OpenCkv.KeyTransparency.Tls;

/// <summary>
/// Writer of the TLS presentation language as KEYTRANS uses it (KT §2.1). Vector length prefixes count elements
/// (§2.1.2) and are as wide as the declared ceiling needs; writing a vector over its ceiling is a programming error
/// and throws <see cref="ArgumentException"/>.
/// </summary>
public sealed class TlsWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with a small initial buffer.</summary>
    public TlsWriter(int initialCapacity = 256) => _buffer = new byte[Math.Max(initialCapacity, 16)];

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>A copy of the bytes written.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>The width in bytes of the length prefix of a vector whose ceiling is <paramref name="ceiling"/>.</summary>
    public static int LengthPrefixSize(ulong ceiling) => ceiling switch
    {
        <= byte.MaxValue => 1,
        <= ushort.MaxValue => 2,
        <= 0xFFFFFF => 3,
        <= uint.MaxValue => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(ceiling), "KEYTRANS vectors have ceilings below 2^32."),
    };

    /// <summary>uint8.</summary>
    public void WriteUInt8(byte value) => Grow(1)[0] = value;

    /// <summary>uint16, big-endian.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Grow(2), value);

    /// <summary>uint32, big-endian.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Grow(4), value);

    /// <summary>uint64, big-endian.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Grow(8), value);

    /// <summary>A fixed-length array; its length must be exactly <paramref name="length"/>.</summary>
    public void WriteFixed(ReadOnlySpan<byte> value, int length)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"A fixed array of {length} bytes was given {value.Length}.", nameof(value));
        }

        value.CopyTo(Grow(length));
    }

    /// <summary><c>opaque data&lt;floor..ceiling&gt;</c>.</summary>
    public void WriteOpaque(ReadOnlySpan<byte> value, ulong ceiling, ulong floor = 0)
    {
        WriteVectorCount(value.Length, ceiling, floor);
        value.CopyTo(Grow(value.Length));
    }

    /// <summary>The element-count prefix of <c>T items&lt;floor..ceiling&gt;</c>.</summary>
    public void WriteVectorCount(int count, ulong ceiling, ulong floor = 0)
    {
        if (count < 0 || (ulong)count > ceiling || (ulong)count < floor)
        {
            throw new ArgumentException($"A vector of {count} element(s) is outside <{floor}..{ceiling}>.", nameof(count));
        }

        switch (LengthPrefixSize(ceiling))
        {
            case 1:
                WriteUInt8((byte)count);
                break;
            case 2:
                WriteUInt16((ushort)count);
                break;
            case 3:
                Span<byte> b = Grow(3);
                b[0] = (byte)((count >> 16) & 0xFF);
                b[1] = (byte)((count >> 8) & 0xFF);
                b[2] = (byte)(count & 0xFF);
                break;
            default:
                WriteUInt32((uint)count);
                break;
        }
    }

    /// <summary><c>T items&lt;floor..ceiling&gt;</c> of codec structures.</summary>
    public void WriteVector<T>(IReadOnlyList<T> items, ulong ceiling, ulong floor = 0)
        where T : ITlsCodec<T>
    {
        ArgumentNullException.ThrowIfNull(items);
        WriteVectorCount(items.Count, ceiling, floor);
        foreach (T item in items)
        {
            item.Encode(this);
        }
    }

    /// <summary>The presence byte of <c>optional&lt;T&gt;</c>.</summary>
    public void WritePresence(bool present) => WriteUInt8(present ? (byte)1 : (byte)0);

    /// <summary><c>optional&lt;uint64&gt;</c>.</summary>
    public void WriteOptionalUInt64(ulong? value)
    {
        WritePresence(value.HasValue);
        if (value.HasValue)
        {
            WriteUInt64(value.Value);
        }
    }

    /// <summary><c>optional&lt;uint32&gt;</c>.</summary>
    public void WriteOptionalUInt32(uint? value)
    {
        WritePresence(value.HasValue);
        if (value.HasValue)
        {
            WriteUInt32(value.Value);
        }
    }

    /// <summary><c>optional&lt;T&gt;</c> of a codec structure.</summary>
    public void WriteOptional<T>(T? value)
        where T : class, ITlsCodec<T>
    {
        WritePresence(value is not null);
        value?.Encode(this);
    }

    private Span<byte> Grow(int count)
    {
        int needed = checked(_length + count);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, checked(_buffer.Length * 2)));
        }

        Span<byte> slice = _buffer.AsSpan(_length, count);
        _length = needed;
        return slice;
    }
}
