namespace OpenCkv.KeyTransparency.Logs.Storage;

/// <summary>Labels compared by content, for dictionaries keyed by label.</summary>
internal sealed class LabelComparer : IEqualityComparer<byte[]>
{
    public static readonly LabelComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
