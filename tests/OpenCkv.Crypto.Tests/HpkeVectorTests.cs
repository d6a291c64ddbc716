using System.Security.Cryptography;
using OpenCkv.Crypto.Hpke;

namespace OpenCkv.Crypto.Tests;

/// <summary>
/// RFC 9180 Appendix A.3.1 (base mode, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM): derived key pairs,
/// the shared secret, the key schedule, every encryption and every export of Vectors/hpke-base-p256-sha256-aes128gcm.txt.
/// </summary>
public sealed class HpkeVectorTests
{
    private static readonly HpkeCase Case = HpkeCase.Read("hpke-base-p256-sha256-aes128gcm.txt");

    [Fact]
    public void The_vector_file_holds_the_base_case_with_its_encryptions_and_exports()
    {
        Assert.Equal("0", Case.Setup["mode"]);
        Assert.Equal(HpkeP256.KemId.ToString(System.Globalization.CultureInfo.InvariantCulture), Case.Setup["kem_id"]);
        Assert.Equal(HpkeP256.KdfId.ToString(System.Globalization.CultureInfo.InvariantCulture), Case.Setup["kdf_id"]);
        Assert.Equal(HpkeP256.AeadId.ToString(System.Globalization.CultureInfo.InvariantCulture), Case.Setup["aead_id"]);
        Assert.Equal([0UL, 1, 2, 4, 255, 256], Case.Encryptions.Select(e => ulong.Parse(e["seq"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(3, Case.Exports.Count);
    }

    [Fact]
    public void DeriveKeyPair_of_ikmE_and_ikmR_gives_the_recorded_key_pairs()
    {
        using ECDiffieHellman ephemeral = HpkeP256.DeriveKeyPair(Case.Setup.Hex("ikmE"));
        Assert.Equal(Case.Setup.Hex("skEm"), ephemeral.ExportParameters(includePrivateParameters: true).D);
        Assert.Equal(Case.Setup.Hex("pkEm"), HpkeP256.SerializePublicKey(ephemeral));

        using ECDiffieHellman recipient = HpkeP256.DeriveKeyPair(Case.Setup.Hex("ikmR"));
        Assert.Equal(Case.Setup.Hex("skRm"), recipient.ExportParameters(includePrivateParameters: true).D);
        Assert.Equal(Case.Setup.Hex("pkRm"), HpkeP256.SerializePublicKey(recipient));
    }

    [Fact]
    public void An_imported_private_scalar_gives_its_public_key()
    {
        using ECDiffieHellman recipient = HpkeP256.ImportPrivateKey(Case.Setup.Hex("skRm"));
        Assert.Equal(Case.Setup.Hex("pkRm"), HpkeP256.SerializePublicKey(recipient));
        Assert.Equal(Case.Setup.Hex("skRm"), recipient.ExportParameters(includePrivateParameters: true).D);
    }

    [Fact]
    public void Encapsulation_with_the_recorded_ephemeral_key_gives_enc_and_the_shared_secret_on_both_sides()
    {
        using ECDiffieHellman ephemeral = HpkeP256.ImportPrivateKey(Case.Setup.Hex("skEm"));
        using ECDiffieHellman recipient = HpkeP256.ImportPrivateKey(Case.Setup.Hex("skRm"));

        byte[] sent = DhKemP256.Encapsulate(Case.Setup.Hex("pkRm"), ephemeral, out byte[] enc);
        Assert.Equal(Case.Setup.Hex("enc"), enc);
        Assert.Equal(Case.Setup.Hex("shared_secret"), sent);
        Assert.Equal(Case.Setup.Hex("shared_secret"), DhKemP256.Decapsulate(enc, recipient));
    }

    [Fact]
    public void The_key_schedule_gives_the_recorded_key_base_nonce_and_exporter_secret_on_both_sides()
    {
        using HpkeSenderContext sender = Sender();
        using HpkeRecipientContext recipient = Recipient();
        Assert.Equal(Case.Setup.Hex("enc"), sender.EncapsulatedKey.ToArray());
        foreach (EncryptionContext context in new[] { sender.Context, recipient.Context })
        {
            Assert.Equal(Case.Setup.Hex("key"), context.Key);
            Assert.Equal(Case.Setup.Hex("base_nonce"), context.BaseNonce);
            Assert.Equal(Case.Setup.Hex("exporter_secret"), context.ExporterSecret);
        }
    }

    [Fact]
    public void Every_recorded_encryption_is_sealed_and_opened_at_its_sequence_number()
    {
        // The RFC's messages all carry the same plaintext with aad "Count-<seq>", so every sequence number up to
        // the last recorded one is sealed and opened in order, and the recorded ones are compared.
        var recorded = Case.Encryptions.ToDictionary(e => ulong.Parse(e["seq"], System.Globalization.CultureInfo.InvariantCulture));
        byte[] plaintext = Case.Encryptions[0].Hex("pt");
        using HpkeSenderContext sender = Sender();
        using HpkeRecipientContext recipient = Recipient();
        var nonce = new byte[EncryptionContext.NonceSize];
        for (ulong seq = 0; seq <= recorded.Keys.Max(); seq++)
        {
            byte[] aad = System.Text.Encoding.ASCII.GetBytes($"Count-{seq}");
            Assert.Equal(seq, sender.Context.Sequence);
            sender.Context.ComputeNonce(seq, nonce);
            byte[] ciphertext = sender.Seal(aad, plaintext);
            if (recorded.TryGetValue(seq, out Dictionary<string, string>? v))
            {
                Assert.Equal(v.Hex("pt"), plaintext);
                Assert.Equal(v.Hex("aad"), aad);
                Assert.Equal(v.Hex("nonce"), nonce);
                Assert.Equal(v.Hex("ct"), ciphertext);
            }

            Assert.Equal(plaintext, recipient.Open(aad, ciphertext));
        }
    }

    [Fact]
    public void Every_recorded_export_matches_on_both_sides()
    {
        using HpkeSenderContext sender = Sender();
        using HpkeRecipientContext recipient = Recipient();
        foreach (Dictionary<string, string> v in Case.Exports)
        {
            int length = int.Parse(v["L"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(v.Hex("exported_value"), sender.Export(v.Hex("exporter_context"), length));
            Assert.Equal(v.Hex("exported_value"), recipient.Export(v.Hex("exporter_context"), length));
        }
    }

    [Fact]
    public void The_single_shot_open_reads_the_first_recorded_message()
    {
        using ECDiffieHellman recipient = HpkeP256.DeriveKeyPair(Case.Setup.Hex("ikmR"));
        Dictionary<string, string> first = Case.Encryptions[0];
        byte[] plaintext = HpkeP256.Open(recipient, Case.Setup.Hex("enc"), Case.Setup.Hex("info"), first.Hex("aad"), first.Hex("ct"));
        Assert.Equal(first.Hex("pt"), plaintext);
    }

    internal static HpkeSenderContext Sender()
    {
        using ECDiffieHellman ephemeral = HpkeP256.DeriveKeyPair(Case.Setup.Hex("ikmE"));
        return HpkeP256.SetupBaseSender(Case.Setup.Hex("pkRm"), Case.Setup.Hex("info"), ephemeral);
    }

    internal static HpkeRecipientContext Recipient()
    {
        using ECDiffieHellman recipient = HpkeP256.DeriveKeyPair(Case.Setup.Hex("ikmR"));
        return HpkeP256.SetupBaseRecipient(recipient, Case.Setup.Hex("enc"), Case.Setup.Hex("info"));
    }

    /// <summary>
    /// The one test case of the file: its [setup] block and the [encryption] and [export] blocks after it, each a
    /// set of "name = value" lines.
    /// </summary>
    internal sealed record HpkeCase(
        Dictionary<string, string> Setup,
        List<Dictionary<string, string>> Encryptions,
        List<Dictionary<string, string>> Exports)
    {
        public static HpkeCase Read(string fileName)
        {
            var blocks = new List<(string Kind, Dictionary<string, string> Values)>();
            foreach (string raw in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Vectors", fileName)))
            {
                string line = raw.Trim();
                if (line.StartsWith('['))
                {
                    blocks.Add((line, new Dictionary<string, string>(StringComparer.Ordinal)));
                }
                else if (blocks.Count > 0 && !line.StartsWith('#') && line.Contains('=', StringComparison.Ordinal))
                {
                    int eq = line.IndexOf('=', StringComparison.Ordinal);
                    blocks[^1].Values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
                }
            }

            Assert.Single(blocks, b => b.Kind == "[setup]");
            Assert.Equal("[setup]", blocks[0].Kind);
            return new HpkeCase(
                blocks[0].Values,
                blocks.Where(b => b.Kind == "[encryption]").Select(b => b.Values).ToList(),
                blocks.Where(b => b.Kind == "[export]").Select(b => b.Values).ToList());
        }
    }
}
