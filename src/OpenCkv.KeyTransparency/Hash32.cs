using System.Security.Cryptography;

namespace OpenCkv.KeyTransparency;

/// <summary>A 32-byte hash value (KT: <c>opaque HashValue[Hash.Nh]</c>). Immutable; compares by content.</summary>
public readonly struct Hash32 : IEquatable<Hash32>
{
    /// <summary>The size in bytes.</summary>
    public const int Size = 32;

    private readonly byte[]? _bytes;

    private Hash32(byte[] bytes) => _bytes = bytes;

    /// <summary>32 zero bytes: the stand-in for a missing prefix-tree child (KT §11.9).</summary>
    public static Hash32 Zero { get; } = new(new byte[Size]);

    /// <summary>The bytes (32 zero bytes for <c>default</c>).</summary>
    public ReadOnlySpan<byte> Span => _bytes ?? Zero._bytes!;

    /// <summary>Copies 32 bytes into a new value.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public static Hash32 From(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Size ? new Hash32(bytes.ToArray()) : throw new ArgumentException("A hash value is 32 bytes.", nameof(bytes));

    /// <summary>Wraps an array the caller gives up (it must not be changed afterwards).</summary>
    internal static Hash32 Own(byte[] bytes) => bytes.Length == Size ? new Hash32(bytes) : throw new ArgumentException("A hash value is 32 bytes.", nameof(bytes));

    /// <summary>A copy of the bytes.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <inheritdoc />
    public bool Equals(Hash32 other) => Span.SequenceEqual(other.Span);

    /// <summary>Content comparison that takes the same time wherever the values differ.</summary>
    public bool FixedTimeEquals(Hash32 other) => CryptographicOperations.FixedTimeEquals(Span, other.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hash32 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Span);

    /// <summary>Lower-case hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <summary>Content equality.</summary>
    public static bool operator ==(Hash32 left, Hash32 right) => left.Equals(right);

    /// <summary>Content inequality.</summary>
    public static bool operator !=(Hash32 left, Hash32 right) => !left.Equals(right);
}
