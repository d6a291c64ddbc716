using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>
/// The byte form of a <see cref="PrefixPage"/> for a database row: the depth, then the page's nodes in pre-order,
/// each a tag and its fields. Strict: any other byte string is a <see cref="KtFormatException"/>. The page id is
/// the row's key, not part of the bytes.
/// </summary>
/// <remarks>
/// Node tags: 0 leaf (vrf_output[32], commitment[32], value[32]); 1 parent (uint8 children: bit 0 left present,
/// bit 1 right present; value[32]; then the present children); 2 link (uint64 page id, value[32]).
/// </remarks>
public static class PrefixPageCodec
{
    private const byte LeafTag = 0, ParentTag = 1, LinkTag = 2;

    /// <summary>The bytes of <paramref name="page"/>.</summary>
    public static byte[] Encode(PrefixPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var writer = new TlsWriter(512);
        writer.WriteUInt16(checked((ushort)page.Depth));
        Write(writer, page.Root);
        return writer.ToArray();
    }

    /// <summary>The page with id <paramref name="id"/> stored as <paramref name="bytes"/>.</summary>
    /// <exception cref="KtFormatException">The bytes are not a page.</exception>
    public static PrefixPage Decode(ulong id, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var reader = new TlsReader(bytes);
        int depth = reader.ReadUInt16();
        PageNode root = Read(ref reader, 0);
        reader.EnsureEnd();
        return new PrefixPage(id, depth, root);
    }

    private static void Write(TlsWriter writer, PageNode node)
    {
        switch (node)
        {
            case PageLeaf leaf:
                writer.WriteUInt8(LeafTag);
                TlsHash.Write(writer, leaf.Leaf.VrfOutput);
                TlsHash.Write(writer, leaf.Leaf.Commitment);
                TlsHash.Write(writer, leaf.Value);
                break;
            case PageParent parent:
                writer.WriteUInt8(ParentTag);
                writer.WriteUInt8((byte)((parent.Left is null ? 0 : 1) | (parent.Right is null ? 0 : 2)));
                TlsHash.Write(writer, parent.Value);
                if (parent.Left is not null)
                {
                    Write(writer, parent.Left);
                }

                if (parent.Right is not null)
                {
                    Write(writer, parent.Right);
                }

                break;
            case PageLink link:
                writer.WriteUInt8(LinkTag);
                writer.WriteUInt64(link.PageId);
                TlsHash.Write(writer, link.Value);
                break;
            default:
                throw new ArgumentException("Unknown page node.", nameof(node));
        }
    }

    private static PageNode Read(ref TlsReader reader, int level)
    {
        // A page holds at most a few hundred levels of nodes; deeper nesting is malformed, not a stack overflow.
        if (level > KeyBits.KeyBitLength)
        {
            throw new KtFormatException("A prefix page nests deeper than a key has bits.", reader.Position);
        }

        byte tag = reader.ReadEnum8(t => t <= LinkTag, "PrefixPage node");
        switch (tag)
        {
            case LeafTag:
                var leaf = new PrefixLeaf(TlsHash.Read(ref reader), TlsHash.Read(ref reader));
                return new PageLeaf(leaf, TlsHash.Read(ref reader));
            case ParentTag:
                byte children = reader.ReadEnum8(c => c is >= 1 and <= 3, "PrefixPage children");
                Hash32 value = TlsHash.Read(ref reader);
                PageNode? left = (children & 1) != 0 ? Read(ref reader, level + 1) : null;
                PageNode? right = (children & 2) != 0 ? Read(ref reader, level + 1) : null;
                return new PageParent(left, right, value);
            default:
                return new PageLink(reader.ReadUInt64(), TlsHash.Read(ref reader));
        }
    }
}
