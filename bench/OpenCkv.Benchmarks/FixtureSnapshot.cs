using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.Benchmarks;

/// <summary>
/// A benchmark fixture cached on disk, so the million-label directory is built once: the log's two secret keys,
/// every prefix-tree node of every version (each shared node written once, children before parents), and every
/// entry with its timestamp, root node, label versions and signed head. Loading re-commits the entries into a
/// fresh in-memory store, recomputing each log leaf from its timestamp and prefix root, then reopens the log,
/// which checks the last signed head against the rebuilt log tree.
/// </summary>
/// <remarks>
/// Layout (little-endian): "OCKVFIX2"; the ECDSA scalar and the VRF secret key (32 bytes each); the node count,
/// then per node a tag (0 leaf: value, key, commitment; 1 parent: value, left id, right id, -1 for a missing
/// child); the entry count, then per entry the timestamp, the root id (-1 empty), the head signature, the number of
/// versions and each as label, version, VRF output, commitment, opening and value.
/// </remarks>
internal static class FixtureSnapshot
{
    private static readonly byte[] Magic = "OCKVFIX2"u8.ToArray();

    public static void Save(string path, InMemoryLogStore store, EcdsaP256PrivateKey signingKey, VrfKeyPair vrfKey)
    {
        string partial = path + ".partial";
        using (var writer = new BinaryWriter(new BufferedStream(File.Create(partial), 1 << 20)))
        {
            writer.Write(Magic);
            writer.Write(signingKey.Export());
            writer.Write(vrfKey.ExportSecretKey());

            ulong size = store.Size;
            var ids = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
            var nodes = new List<PrefixNode>();
            var roots = new int[size];
            for (ulong p = 0; p < size; p++)
            {
                roots[p] = Number(InMemoryPrefixVersions.TreeOf(store.Entry(p).Tree).RootNode, ids, nodes);
            }

            writer.Write(nodes.Count);
            foreach (PrefixNode node in nodes)
            {
                if (node is PrefixLeafNode leaf)
                {
                    writer.Write((byte)0);
                    writer.Write(node.Value.Span);
                    writer.Write(leaf.Leaf.VrfOutput.Span);
                    writer.Write(leaf.Leaf.Commitment.Span);
                }
                else
                {
                    var parent = (PrefixParentNode)node;
                    writer.Write((byte)1);
                    writer.Write(node.Value.Span);
                    writer.Write(parent.Left is null ? -1 : ids[parent.Left]);
                    writer.Write(parent.Right is null ? -1 : ids[parent.Right]);
                }
            }

            writer.Write(size);
            for (ulong p = 0; p < size; p++)
            {
                writer.Write(store.Entry(p).Timestamp);
                writer.Write(roots[p]);
                WriteBytes(writer, store.Head(p + 1).Signature);
                IReadOnlyList<PublishedLabelVersion> versions = store.VersionsAt(p);
                writer.Write(versions.Count);
                foreach (PublishedLabelVersion published in versions)
                {
                    PublishedVersion v = published.Version;
                    WriteBytes(writer, published.Label);
                    writer.Write(v.Version);
                    writer.Write(v.VrfOutput.Span);
                    writer.Write(v.Commitment.Span);
                    WriteBytes(writer, v.Opening);
                    WriteBytes(writer, v.Value.Value);
                }
            }
        }

        File.Move(partial, path, overwrite: true); // a fixture is either whole or absent
    }

    public static TransparencyLog Load(string path, CryptoSuite suite, Func<EcdsaP256PrivateKey, VrfKeyPair, Configuration> configuration)
    {
        using var reader = new BinaryReader(new BufferedStream(File.OpenRead(path), 1 << 20));
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a fixture of this format.");
        }

        var signingKey = EcdsaP256PrivateKey.Import(reader.ReadBytes(32));
        VrfKeyPair vrfKey = suite.Vrf.ImportSecretKey(reader.ReadBytes(32));

        var nodes = new PrefixNode[reader.ReadInt32()];
        for (int i = 0; i < nodes.Length; i++)
        {
            byte tag = reader.ReadByte();
            Hash32 value = ReadHash(reader);
            nodes[i] = tag switch
            {
                0 => new PrefixLeafNode(new PrefixLeaf(ReadHash(reader), ReadHash(reader)), value),
                1 => new PrefixParentNode(NodeAt(nodes, reader.ReadInt32(), i), NodeAt(nodes, reader.ReadInt32(), i), value),
                _ => throw new InvalidDataException($"Node {i} has tag {tag}."),
            };
        }

        var store = new InMemoryLogStore(suite.TreeHashes);
        ulong entries = reader.ReadUInt64();
        int leaves = 0;
        var logLeaf = new byte[Hash32.Size];
        for (ulong p = 0; p < entries; p++)
        {
            ulong timestamp = reader.ReadUInt64();
            int root = reader.ReadInt32();
            byte[] signature = ReadBytes(reader);
            var versions = new PublishedLabelVersion[reader.ReadInt32()];
            for (int i = 0; i < versions.Length; i++)
            {
                byte[] label = ReadBytes(reader);
                uint version = reader.ReadUInt32();
                Hash32 output = ReadHash(reader);
                Hash32 commitment = ReadHash(reader);
                byte[] opening = ReadBytes(reader);
                byte[] value = ReadBytes(reader);
                versions[i] = new PublishedLabelVersion(label, new PublishedVersion(version, p, output, commitment, opening, new UpdateValue(value, null)));
            }

            leaves += versions.Length;
            PrefixTree tree = PrefixTree.FromRoot(NodeAt(nodes, root, nodes.Length), leaves, suite.TreeHashes);
            suite.TreeHashes.LogLeaf(timestamp, tree.Root.Span, logLeaf);
            store.Commit(new SequencedStep(p, new StoredEntry(timestamp, InMemoryPrefixVersions.VersionOf(tree)), Hash32.From(logLeaf), versions));
            store.StoreHead(new TreeHead(p + 1, signature));
        }

        return TransparencyLog.Open(suite, configuration(signingKey, vrfKey), signingKey, vrfKey, store);
    }

    private static int Number(PrefixNode? node, Dictionary<object, int> ids, List<PrefixNode> nodes)
    {
        if (node is null)
        {
            return -1;
        }

        if (ids.TryGetValue(node, out int id))
        {
            return id;
        }

        if (node is PrefixParentNode parent)
        {
            Number(parent.Left, ids, nodes);
            Number(parent.Right, ids, nodes);
        }

        id = nodes.Count;
        nodes.Add(node);
        ids.Add(node, id);
        return id;
    }

    private static PrefixNode? NodeAt(PrefixNode[] nodes, int id, int before) =>
        id == -1 ? null : id >= 0 && id < before ? nodes[id] : throw new InvalidDataException($"Node reference {id} is not an earlier node.");

    private static Hash32 ReadHash(BinaryReader reader) => Hash32.Own(reader.ReadBytes(Hash32.Size));

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader) => reader.ReadBytes(reader.ReadInt32());

    /// <summary>Where fixtures are cached: $OPENCKV_FIXTURES, or ~/.cache/openckv/fixtures.</summary>
    public static string CacheDirectory()
    {
        string directory = Environment.GetEnvironmentVariable("OPENCKV_FIXTURES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "openckv", "fixtures");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    public static string Describe(long bytes) => bytes >= 1 << 30 ? $"{bytes / (double)(1 << 30):F2} GiB" : $"{bytes / (double)(1 << 20):F1} MiB";

    public static string Name(int labels) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"search-{labels}.ockvfix");
}
