using System.Text;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.KnownAnswers;

/// <summary>Known answers for OpenCKV's own formats and derivations (docs/ckv-protocol.md).</summary>
public static partial class KnownAnswerGenerator
{
    private static string Protocol()
    {
        var text = Header("OpenCKV formats: handle records, key links, device possession, codes, signed inputs (docs/ckv-protocol.md)");
        byte[] firstScalar = SecretScalar("account key 1");
        byte[] accountScalar = SecretScalar("account key 2");
        byte[] deviceScalar = SecretScalar("device signing key");
        using var first = EcdsaP256PrivateKey.Import(firstScalar);
        using var account = EcdsaP256PrivateKey.Import(accountScalar);
        using var deviceSigning = EcdsaP256PrivateKey.Import(deviceScalar);
        using var encryption = EcdsaP256PrivateKey.Import(SecretScalar("device encryption key"));
        using var request = EcdsaP256PrivateKey.Import(SecretScalar("device request key"));
        byte[] accountId = Seeded("account id", 16);
        byte[] deviceId = Seeded("device id", 16);
        byte[] accountKey = account.PublicKey.Encoded.ToArray();
        byte[] label = Encoding.ASCII.GetBytes("mailto:alice@example.com");

        byte[] linkMessage = KeyLink.ToBeSigned(accountId, first.PublicKey.Encoded.ToArray(), accountKey, 4);
        var link = new KeyLink(first.PublicKey.Encoded.ToArray(), accountKey, 4, DeterministicEcdsa.Sign(firstScalar, linkMessage));
        byte[] possessionMessage = Device.PossessionToBeSigned(
            accountId, accountKey, deviceId, deviceSigning.PublicKey.Encoded.ToArray(), encryption.PublicKey.Encoded.ToArray(), request.PublicKey.Encoded.ToArray());
        var device = new Device(
            deviceId, deviceSigning.PublicKey.Encoded.ToArray(), encryption.PublicKey.Encoded.ToArray(), request.PublicKey.Encoded.ToArray(),
            DeterministicEcdsa.Sign(deviceScalar, possessionMessage));
        var unsigned = new HandleRecord(HandleRecord.CurrentFormat, label, 5, accountId, 9, Seeded("previous record", 32), CkvState.On, accountKey, [link], [device], []);
        HandleRecord record = unsigned with { Signature = DeterministicEcdsa.Sign(accountScalar, unsigned.ToBeSigned()) };

        text.Append("\n## handle record of mailto:alice@example.com version 5, after one rotation (§2)\n");
        Line(text, "account_id", accountId);
        Line(text, "first_account_sk", firstScalar);
        Line(text, "account_sk", accountScalar);
        Line(text, "device_signing_sk", deviceScalar);
        Line(text, "key_link_tbs", linkMessage);
        Line(text, "key_link", TlsCodec.Encode(link));
        Line(text, "possession_tbs", possessionMessage);
        Line(text, "device", TlsCodec.Encode(device));
        Line(text, "record_tbs", record.ToBeSigned());
        Line(text, "record", TlsCodec.Encode(record));
        Line(text, "record_hash", record.Hash());

        text.Append("\n## public verification code (§4)\n");
        Line(text, "account_key", accountKey);
        Line(text, "code", Encoding.ASCII.GetBytes(PublicCode.Derive(accountKey)));

        byte[] otherKey = first.PublicKey.Encoded.ToArray();
        byte[] otherDevice = Seeded("other device id", 16);
        byte[] nonceA = Seeded("initiator nonce", 32);
        byte[] nonceB = Seeded("responder nonce", 32);
        text.Append("\n## on-device comparison (§5)\n");
        Line(text, "initiator_key", accountKey);
        Line(text, "initiator_device", deviceId);
        Line(text, "initiator_nonce", nonceA);
        Line(text, "responder_key", otherKey);
        Line(text, "responder_device", otherDevice);
        Line(text, "responder_nonce", nonceB);
        Line(text, "commitment", ComparisonCode.Commit(ComparisonRole.Initiator, accountKey, deviceId, nonceA));
        Line(text, "code", Encoding.ASCII.GetBytes(ComparisonCode.Code(accountKey, deviceId, nonceA, otherKey, otherDevice, nonceB)));

        byte[] joinCommitment = JoinExchange.Commit(device.SigningKey, deviceId, nonceA);
        text.Append("\n## join exchange (§6.2): the same inputs, the joining device first\n");
        Line(text, "commitment", joinCommitment);
        Line(text, "code", Encoding.ASCII.GetBytes(JoinExchange.Code(device.SigningKey, deviceId, nonceA, accountKey, otherDevice, nonceB)));
        Line(text, "transcript", JoinExchange.Transcript(joinCommitment, device.SigningKey, deviceId, nonceA, accountKey, otherDevice, nonceB));

        byte[] body = Encoding.UTF8.GetBytes("{\"label\":\"mailto:bob@example.com\"}");
        byte[] requestNonce = Seeded("request nonce", 16);
        text.Append("\n## signed inputs (§3, §6)\n");
        Line(text, "request_tbs", RequestSignature.ToBeSigned("POST", "/v1/kt/search", body, accountId, deviceId, 1_750_000_000_000, requestNonce));
        byte[] ciphertext = Seeded("ciphertext", 32);
        Line(text, "message_tbs", SignedEnvelopes.MessageToBeSigned(accountId, deviceId, Seeded("bob account", 16), otherDevice, Seeded("conversation", 16), 42, ciphertext));
        byte[] associated = SignedEnvelopes.KeychainBlobAssociatedData(accountId, otherDevice, deviceId, 3, JoinExchange.Transcript(joinCommitment, device.SigningKey, deviceId, nonceA, accountKey, otherDevice, nonceB));
        Line(text, "keychain_blob_aad", associated);
        Line(text, "keychain_blob_tbs", SignedEnvelopes.KeychainBlobToBeSigned(associated, ciphertext));
        return text.ToString();
    }
}
