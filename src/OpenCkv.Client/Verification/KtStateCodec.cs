using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Client.Verification;

/// <summary>
/// How a profile keeps what KEYTRANS obliges a client to retain (KT §4.2, §8.2) between runs: the client state
/// (last verified head, full-subtree heads, frontier entries, auditor head) and each monitored label. Written in
/// the project's TLS codec, read back strictly: a damaged file is an error, never a silently smaller state.
/// </summary>
public static class KtStateCodec
{
    private const ulong ListCeiling = uint.MaxValue;
    private const byte FormatVersion = 1;

    /// <summary>The encoding of <paramref name="state"/>.</summary>
    public static byte[] Encode(ClientState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var writer = new TlsWriter();
        writer.WriteUInt8(FormatVersion);
        state.Head.Encode(writer);
        writer.WriteVectorCount(state.FullSubtrees.Count, ListCeiling);
        foreach (Hash32 subtree in state.FullSubtrees)
        {
            writer.WriteFixed(subtree.Span, Hash32.Size);
        }

        writer.WriteVectorCount(state.Frontier.Count, ListCeiling);
        foreach (FrontierEntry entry in state.Frontier)
        {
            writer.WriteUInt64(entry.Position);
            writer.WriteUInt64(entry.Timestamp);
            writer.WriteFixed(entry.PrefixRoot.Span, Hash32.Size);
        }

        writer.WriteOptional(state.AuditorHead);
        return writer.ToArray();
    }

    /// <summary>Reads a state written by <see cref="Encode(ClientState)"/>.</summary>
    /// <exception cref="KtFormatException">The bytes are not such a state.</exception>
    public static ClientState DecodeState(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded);
        ReadVersion(ref reader);
        TreeHead head = TreeHead.Decode(ref reader);
        int subtreeCount = reader.ReadVectorCount(ListCeiling, 0, Hash32.Size);
        var subtrees = new Hash32[subtreeCount];
        for (int i = 0; i < subtreeCount; i++)
        {
            subtrees[i] = Hash32.From(reader.ReadFixed(Hash32.Size));
        }

        int count = reader.ReadVectorCount(ListCeiling, 0, 48);
        var frontier = new FrontierEntry[count];
        for (int i = 0; i < count; i++)
        {
            frontier[i] = new FrontierEntry(reader.ReadUInt64(), reader.ReadUInt64(), Hash32.From(reader.ReadFixed(Hash32.Size)));
        }

        AuditorTreeHead? auditor = reader.ReadOptional<AuditorTreeHead>();
        reader.EnsureEnd();
        if (frontier.Length == 0)
        {
            throw reader.Fail("a client state holds at least the rightmost entry");
        }

        return new ClientState(head, subtrees, frontier) { AuditorHead = auditor };
    }

    /// <summary>The encoding of a monitored label (its map and the leaves its ladders need).</summary>
    public static byte[] Encode(MonitoredLabel monitored)
    {
        ArgumentNullException.ThrowIfNull(monitored);
        var writer = new TlsWriter();
        writer.WriteUInt8(FormatVersion);
        writer.WriteOpaque(monitored.Label, byte.MaxValue);
        writer.WriteVector(monitored.Map, ListCeiling);
        writer.WriteVectorCount(monitored.Known.Count, ListCeiling);
        foreach ((uint version, PrefixLeaf leaf) in monitored.Known.OrderBy(k => k.Key))
        {
            writer.WriteUInt32(version);
            leaf.Encode(writer);
        }

        return writer.ToArray();
    }

    /// <summary>Reads a monitored label written by <see cref="Encode(MonitoredLabel)"/>.</summary>
    /// <exception cref="KtFormatException">The bytes are not such a label.</exception>
    public static MonitoredLabel DecodeMonitored(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded);
        ReadVersion(ref reader);
        byte[] label = reader.ReadOpaque(byte.MaxValue).ToArray();
        MonitorMapEntry[] map = reader.ReadVector<MonitorMapEntry>(ListCeiling);
        int count = reader.ReadVectorCount(ListCeiling, 0, 68);
        var known = new Dictionary<uint, PrefixLeaf>(count);
        for (int i = 0; i < count; i++)
        {
            uint version = reader.ReadUInt32();
            if (!known.TryAdd(version, PrefixLeaf.Decode(ref reader)))
            {
                throw reader.Fail($"version {version} appears twice");
            }
        }

        reader.EnsureEnd();
        return new MonitoredLabel(label, map, known);
    }

    /// <summary>The encoding of an owner's state (KT §8.3: start, greatest version, map, insertions, learnt leaves).</summary>
    public static byte[] Encode(OwnerState owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var writer = new TlsWriter();
        writer.WriteUInt8(FormatVersion);
        writer.WriteOpaque(owner.Label, byte.MaxValue);
        writer.WriteUInt64(owner.Start);
        writer.WriteOptionalUInt32(owner.GreatestVersion);
        writer.WriteOptionalUInt64(owner.GreatestPosition);
        writer.WriteOptionalUInt32(owner.StartVersion);
        writer.WriteVector(owner.Map, ListCeiling);
        writer.WriteVector(owner.Insertions, ListCeiling);
        WriteHashes(writer, owner.VrfOutputs);
        WriteHashes(writer, owner.Commitments);
        return writer.ToArray();
    }

    /// <summary>Reads an owner's state written by <see cref="Encode(OwnerState)"/>.</summary>
    /// <exception cref="KtFormatException">The bytes are not such a state.</exception>
    public static OwnerState DecodeOwner(ReadOnlySpan<byte> encoded)
    {
        var reader = new TlsReader(encoded);
        ReadVersion(ref reader);
        byte[] label = reader.ReadOpaque(byte.MaxValue).ToArray();
        ulong start = reader.ReadUInt64();
        uint? greatest = reader.ReadOptionalUInt32();
        ulong? greatestPosition = reader.ReadOptionalUInt64();
        uint? startVersion = reader.ReadOptionalUInt32();
        MonitorMapEntry[] map = reader.ReadVector<MonitorMapEntry>(ListCeiling);
        MonitorMapEntry[] insertions = reader.ReadVector<MonitorMapEntry>(ListCeiling);
        Dictionary<uint, Hash32> outputs = ReadHashes(ref reader);
        Dictionary<uint, Hash32> commitments = ReadHashes(ref reader);
        reader.EnsureEnd();
        return new OwnerState(label, start, greatest, map, outputs, commitments)
        {
            GreatestPosition = greatestPosition,
            StartVersion = startVersion,
            Insertions = insertions,
        };
    }

    private static void WriteHashes(TlsWriter writer, IReadOnlyDictionary<uint, Hash32> hashes)
    {
        writer.WriteVectorCount(hashes.Count, ListCeiling);
        foreach ((uint version, Hash32 hash) in hashes.OrderBy(h => h.Key))
        {
            writer.WriteUInt32(version);
            writer.WriteFixed(hash.Span, Hash32.Size);
        }
    }

    private static Dictionary<uint, Hash32> ReadHashes(ref TlsReader reader)
    {
        int count = reader.ReadVectorCount(ListCeiling, 0, 4 + Hash32.Size);
        var hashes = new Dictionary<uint, Hash32>(count);
        for (int i = 0; i < count; i++)
        {
            uint version = reader.ReadUInt32();
            if (!hashes.TryAdd(version, Hash32.From(reader.ReadFixed(Hash32.Size))))
            {
                throw reader.Fail($"version {version} appears twice");
            }
        }

        return hashes;
    }

    private static void ReadVersion(ref TlsReader reader)
    {
        byte version = reader.ReadUInt8();
        if (version != FormatVersion)
        {
            throw reader.Fail($"unknown state format {version}");
        }
    }
}
