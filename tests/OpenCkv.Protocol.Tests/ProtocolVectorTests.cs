using System.Text;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol.Tests;

/// <summary>
/// The project's own vectors for docs/ckv-protocol.md (testdata/ckv-protocol.txt): the recorded record, link and
/// device verify and decode to what the recorded signed inputs say; codes and signed inputs recompute from their
/// recorded inputs; and the generator reproduces the file bit for bit.
/// </summary>
public sealed class ProtocolVectorTests
{
    private static readonly Dictionary<string, Dictionary<string, byte[]>> Blocks = KnownAnswers.KnownAnswerFile.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "ckv-protocol.txt")));

    [Fact]
    public void The_generator_reproduces_the_file()
    {
        string generated = KnownAnswers.KnownAnswerGenerator.Generate()["ckv-protocol.txt"];
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "ckv-protocol.txt")), generated);
    }

    [Fact]
    public void The_recorded_record_verifies_and_its_parts_match_their_signed_inputs()
    {
        Dictionary<string, byte[]> block = Blocks["handle record of mailto:alice@example.com version 5, after one rotation (§2)"];
        HandleRecord record = RecordCheck.Verify(block["record"], "mailto:alice@example.com"u8.ToArray(), 5);
        Assert.Equal(block["record_tbs"], record.ToBeSigned());
        Assert.Equal(block["record_hash"], record.Hash());
        Assert.Equal(block["key_link"], TlsCodec.Encode(record.Chain[0]));
        Assert.Equal(block["device"], TlsCodec.Encode(record.Devices[0]));
        Device device = record.Devices[0];
        Assert.Equal(
            block["possession_tbs"],
            Device.PossessionToBeSigned(record.AccountId, record.AccountKey, device.DeviceId, device.SigningKey, device.EncryptionKey, device.RequestKey));
        Assert.Equal(block["key_link_tbs"], KeyLink.ToBeSigned(record.AccountId, record.Chain[0].PreviousKey, record.Chain[0].NextKey, record.Chain[0].Counter));
        using var account = EcdsaP256PrivateKey.Import(block["account_sk"]);
        Assert.Equal(account.PublicKey.Encoded.ToArray(), record.AccountKey);
        Assert.Equal(KeyChange.CrossSigned, KeyContinuity.Compare(EcdsaP256PrivateKey.Import(block["first_account_sk"]).PublicKey.Encoded.ToArray(), record));
    }

    [Fact]
    public void Codes_and_signed_inputs_recompute_from_their_recorded_inputs()
    {
        Dictionary<string, byte[]> code = Blocks["public verification code (§4)"];
        Assert.Equal(Encoding.ASCII.GetString(code["code"]), PublicCode.Derive(code["account_key"]));
        Assert.Equal(CodeMatch.Match, PublicCode.Compare(Encoding.ASCII.GetString(code["code"]), code["account_key"]));

        Dictionary<string, byte[]> c = Blocks["on-device comparison (§5)"];
        Assert.Equal(c["commitment"], ComparisonCode.Commit(ComparisonRole.Initiator, c["initiator_key"], c["initiator_device"], c["initiator_nonce"]));
        Assert.Equal(
            Encoding.ASCII.GetString(c["code"]),
            ComparisonCode.Code(c["initiator_key"], c["initiator_device"], c["initiator_nonce"], c["responder_key"], c["responder_device"], c["responder_nonce"]));
        Assert.NotEqual(Blocks["join exchange (§6.2): the same inputs, the joining device first"]["commitment"], c["commitment"]);
    }
}
