/**
 * Storage widths of integer fields, for the "too big for this field" check of filter literals
 * (`tcp.port == 99999` is an error in Wireshark, not a filter that never matches). The field
 * registry does not carry widths, so they are listed here, taken from `tshark -G fields`
 * (Wireshark 4.0.17; FT_FRAMENUM counts as 32 bits) for the protocols tcpscope decodes or is
 * about to. A negative key is a signed width. A field missing here gets no range check.
 */
const WIDTHS: Record<string, string> = {
  '8':
    'eth.fcs.status ip.checksum.status ip.cipso.sensitivity_level ip.cipso.tag_type ip.dsfield ip.dsfield.dscp ' +
    'ip.dsfield.ecn ip.flags ip.hdr_len ip.opt.ext_sec_add_sec_info_format_code ip.opt.flag ip.opt.len ' +
    'ip.opt.overflow ip.opt.ptr ip.opt.qs_func ip.opt.qs_rate ip.opt.qs_ttl ip.opt.qs_ttl_diff ip.opt.qs_unused ' +
    'ip.opt.sec_cl ip.opt.sec_prot_auth_flags ip.opt.sec_prot_auth_unassigned ip.opt.type ip.opt.type.class ' +
    'ip.opt.type.number ip.proto ip.tos ip.tos.precedence ip.ttl ip.version ipv6.dstopts.len ipv6.dstopts.nxt ' +
    'ipv6.fraghdr.nxt ipv6.fraghdr.reserved_octet ipv6.hlim ipv6.hopopts.len ipv6.hopopts.nxt ipv6.nxt ' +
    'ipv6.opt.calipso.cmpt.length ipv6.opt.calipso.sens_level ipv6.opt.dff.flag.rsv ipv6.opt.dff.flag.ver ' +
    'ipv6.opt.dff.flags ipv6.opt.ioam.opt_type ipv6.opt.ioam.rsv ipv6.opt.ioam.trace.node.hlim ' +
    'ipv6.opt.ioam.trace.node.oss.len ipv6.opt.ioam.trace.nodelen ipv6.opt.ioam.trace.remlen ' +
    'ipv6.opt.ioam.trace.rsv ipv6.opt.length ipv6.opt.lio.length ipv6.opt.mpl.flag ipv6.opt.mpl.flag.rsv ' +
    'ipv6.opt.mpl.flag.s ipv6.opt.mpl.sequence ipv6.opt.pdm.scale_dtlr ipv6.opt.pdm.scale_dtls ipv6.opt.qs_func ' +
    'ipv6.opt.qs_rate ipv6.opt.qs_ttl ipv6.opt.qs_ttl_diff ipv6.opt.qs_unused ipv6.opt.rpl.flag ' +
    'ipv6.opt.rpl.flag.rsv ipv6.opt.rpl.instance_id ipv6.opt.smf_dpd.tid_len ipv6.opt.smf_dpd.tid_type ipv6.opt.tel ' +
    'ipv6.opt.type ipv6.opt.type.action ipv6.opt.type.rest ipv6.routing.len ipv6.routing.nxt ipv6.routing.segleft ' +
    'ipv6.routing.srh.flags ipv6.routing.srh.last_entry ipv6.routing.type ipv6.version ppp.address ppp.code ' +
    'ppp.control ppp.direction ppp.fcs.status ppp.identifier ppp.kind tcp.checksum.status tcp.completeness ' +
    'tcp.flags.ace tcp.hdr_len tcp.option_kind tcp.option_len tcp.options.ao.keyid tcp.options.ao.rnextkeyid ' +
    'tcp.options.mptcp.addrid tcp.options.mptcp.backup.flag tcp.options.mptcp.checksumreq.flags ' +
    'tcp.options.mptcp.dataack8.flag tcp.options.mptcp.dataackpresent.flag tcp.options.mptcp.datafin.flag ' +
    'tcp.options.mptcp.dseqn8.flag tcp.options.mptcp.dseqnpresent.flag tcp.options.mptcp.echo ' +
    'tcp.options.mptcp.extensibility.flag tcp.options.mptcp.flags tcp.options.mptcp.ipver ' +
    'tcp.options.mptcp.nomoresubflows.flag tcp.options.mptcp.reserved.flag tcp.options.mptcp.rst_reason ' +
    'tcp.options.mptcp.sha1.flag tcp.options.mptcp.sha256.flag tcp.options.mptcp.subtype tcp.options.mptcp.version ' +
    'tcp.options.qs.rate tcp.options.qs.ttl_diff tcp.options.rvbd.probe.flags tcp.options.rvbd.probe.reserved ' +
    'tcp.options.rvbd.probe.type1 tcp.options.rvbd.probe.type2 tcp.options.rvbd.probe.version ' +
    'tcp.options.rvbd.probe.version_raw tcp.options.sack.count tcp.options.scps.binding tcp.options.scps.binding.id ' +
    'tcp.options.scps.binding.len tcp.options.scps.vector tcp.options.scpsflags.reserved tcp.options.tar.reserved ' +
    'tcp.options.tarr.rate tcp.options.timestamp.tsval.syncookie.wscale tcp.options.wscale.shift tcp.syncookie.mss ' +
    'tcp.syncookie.time tls.alert_message.desc tls.alert_message.level tls.compress_certificate.algorithms_length ' +
    'tls.connection_id_length tls.extension.oid_filters.oid_length tls.extension.psk_ke_mode ' +
    'tls.extension.psk_ke_modes_length tls.handshake.cert_type tls.handshake.cert_type.type ' +
    'tls.handshake.cert_type.types_len tls.handshake.cert_types_count tls.handshake.cert_url_type ' +
    'tls.handshake.certificate_request_context_length tls.handshake.client_point_len tls.handshake.comp_method ' +
    'tls.handshake.comp_methods_length tls.handshake.extension.heartbeat.mode ' +
    'tls.handshake.extensions.supported_versions_len tls.handshake.extensions_alpn_str_len ' +
    'tls.handshake.extensions_alps_alpn_str_len tls.handshake.extensions_ec_point_format ' +
    'tls.handshake.extensions_ec_point_formats_length tls.handshake.extensions_npn_str_len ' +
    'tls.handshake.extensions_reneg_info_len tls.handshake.extensions_server_name_type ' +
    'tls.handshake.extensions_srp_len tls.handshake.extensions_status_request_type ' +
    'tls.handshake.key_update.request_update tls.handshake.max_fragment_length tls.handshake.npn_padding_len ' +
    'tls.handshake.npn_selected_protocol_len tls.handshake.rc_len tls.handshake.rs_len ' +
    'tls.handshake.server_curve_type tls.handshake.server_point_len tls.handshake.session_ticket_nonce_length ' +
    'tls.handshake.sig_hash_hash tls.handshake.sig_hash_sig tls.handshake.type tls.handshake.vc_len ' +
    'tls.handshake.vs_len tls.handshake.xc_len tls.handshake.xs_len tls.heartbeat_message.type ' +
    'tls.quic.parameter.google.supported_versions_length tls.quic.parameter.preferred_address.connectionid.length ' +
    'tls.record.content_type tls.record.opaque_type tls.record.padding_length tls.sct.sct_version ' +
    'udp.checksum.status ',
  '16':
    'eth.invalid_lentype eth.len eth.type frame.link_nr http.proxy_connect_port http.response.code ip.checksum ' +
    'ip.checksum_calculated ip.frag_offset ip.id ip.len ip.opt.id_number ip.opt.mtu ip.opt.ohc ip.opt.ra ip.opt.rhc ' +
    'ip.opt.sec_rfc791_comp ip.opt.sec_rfc791_sec ip.opt.sid ipv6.6to4_sla_id ipv6.dst_6to4_sla_id ipv6.dst_tc_port ' +
    'ipv6.dstopts.len_oct ipv6.fraghdr.offset ipv6.fraghdr.reserved_bits ipv6.hopopts.len_oct ' +
    'ipv6.opt.calipso.checksum ipv6.opt.dff.sequence_number ipv6.opt.ioam.trace.flags ipv6.opt.ioam.trace.node.eif ' +
    'ipv6.opt.ioam.trace.node.iif ipv6.opt.ioam.trace.ns ipv6.opt.pdm.delta_last_recv ipv6.opt.pdm.delta_last_sent ' +
    'ipv6.opt.pdm.psn_last_recv ipv6.opt.pdm.psn_this_pkt ipv6.opt.pmtu.min ipv6.opt.pmtu.rtn ipv6.opt.router_alert ' +
    'ipv6.opt.rpl.sender_rank ipv6.plen ipv6.routing.crh16.current_sid ipv6.routing.crh16.sid ipv6.routing.len_oct ' +
    'ipv6.src_6to4_sla_id ipv6.src_tc_port ipv6.tc_port null.type ppp.fcs_16 ppp.length ppp.protocol ' +
    'pppoes.tags.credits.bcn pppoes.tags.credits.fcn sll.etype sll.gretype sll.halen sll.hatype sll.ltype ' +
    'sll.pkttype tcp.checksum tcp.checksum_calculated tcp.dstport tcp.flags tcp.options.experimental.exid ' +
    'tcp.options.mptcp.checksum tcp.options.mptcp.datalvllen tcp.options.mptcp.port tcp.options.mptcp.reserved ' +
    'tcp.options.mss_val tcp.options.rvbd.probe.appli_ver tcp.options.rvbd.probe.proxy.port ' +
    'tcp.options.rvbd.trpy.client.port tcp.options.rvbd.trpy.dst.port tcp.options.rvbd.trpy.flags ' +
    'tcp.options.rvbd.trpy.src.port tcp.options.snack.le tcp.options.snack.offset tcp.options.snack.re ' +
    'tcp.options.snack.size tcp.options.user_to_val tcp.options.wscale.multiplier tcp.port tcp.srcport ' +
    'tcp.urgent_pointer tcp.window_size_value tls.compress_certificate.algorithm tls.esni.encrypted_sni_length ' +
    'tls.esni.record_digest_length tls.esni.suite tls.extension.oid_filters.values_length ' +
    'tls.extension.oid_filters_length tls.handshake.cert_url.url_hash_len tls.handshake.cert_url.url_len ' +
    'tls.handshake.challenge_length tls.handshake.cipher_spec_len tls.handshake.cipher_suites_length ' +
    'tls.handshake.ciphersuite tls.handshake.clear_key_length tls.handshake.client_cert_vrfy.sig_len ' +
    'tls.handshake.connection_id_length tls.handshake.cred.signature_len tls.handshake.cred.valid_time ' +
    'tls.handshake.dname_len tls.handshake.dnames_len tls.handshake.encrypted_key_length tls.handshake.epms_len ' +
    'tls.handshake.exponent_len tls.handshake.extension.len tls.handshake.extension.type ' +
    'tls.handshake.extensions.cookie_len tls.handshake.extensions.psk.binders_len ' +
    'tls.handshake.extensions.psk.identities.length tls.handshake.extensions.psk.identity.identity_length ' +
    'tls.handshake.extensions.psk.identity.selected tls.handshake.extensions.supported_version ' +
    'tls.handshake.extensions_alpn_len tls.handshake.extensions_alps_len ' +
    'tls.handshake.extensions_key_share_client_length tls.handshake.extensions_key_share_group ' +
    'tls.handshake.extensions_key_share_key_exchange_length tls.handshake.extensions_key_share_selected_group ' +
    'tls.handshake.extensions_length tls.handshake.extensions_server_name_len ' +
    'tls.handshake.extensions_server_name_list_len tls.handshake.extensions_status_request_exts_len ' +
    'tls.handshake.extensions_status_request_len tls.handshake.extensions_status_request_list_len ' +
    'tls.handshake.extensions_status_request_responder_ids_len tls.handshake.extensions_supported_group ' +
    'tls.handshake.extensions_supported_groups_length tls.handshake.g_len tls.handshake.hint_len ' +
    'tls.handshake.identity_len tls.handshake.key_arg_length tls.handshake.modulus_len tls.handshake.p_len ' +
    'tls.handshake.server_named_curve tls.handshake.session_id_length tls.handshake.session_ticket_length ' +
    'tls.handshake.sig_hash_alg tls.handshake.sig_hash_alg_len tls.handshake.sig_len tls.handshake.version ' +
    'tls.handshake.yc_len tls.handshake.ys_len tls.heartbeat_message.payload_length tls.quic.len ' +
    'tls.quic.parameter.lengt.old tls.quic.parameter.preferred_address.ipv4port ' +
    'tls.quic.parameter.preferred_address.ipv6port tls.record.length tls.record.version tls.record_size_limit ' +
    'tls.sct.sct_extensions_length tls.sct.sct_length tls.sct.sct_signature_length tls.sct.scts_length udp.checksum ' +
    'udp.checksum_calculated udp.checksum_coverage udp.dstport udp.length udp.port udp.srcport vlan.etype vlan.id ' +
    'vlan.len vlan.priority ',
  '24':
    'eth.addr.oui eth.dst.oui eth.src.oui ipv6.flow ipv6.opt.ioam.trace.node.id ipv6.opt.ioam.trace.node.oss.scid ' +
    'ipv6.opt.ioam.trace.type ppp.oui tcp.options.acc_ecn.eceb tcp.options.acc_ecn.ee0b tcp.options.acc_ecn.ee1b ' +
    'tcp.syncookie.hash tls.compress_certificate.compressed_certificate_message.length ' +
    'tls.compress_certificate.uncompressed_length tls.handshake.certificate_length ' +
    'tls.handshake.certificates_length tls.handshake.cipherspec tls.handshake.cred.pubkey_len tls.handshake.length ' +
    'tls.handshake.ocsp_response_len tls.handshake.ocsp_response_list_len ',
  '32':
    'eth.fcs frame.bblog.serial_nr frame.bblog.ticks frame.cap_len frame.cb_pen frame.interface_id ' +
    'frame.interface_queue frame.len frame.number frame.packet_flags frame.packet_flags_direction ' +
    'frame.packet_flags_fcs_length frame.packet_flags_reception_type frame.packet_flags_reserved ' +
    'frame.pcaplog.data_length frame.pcaplog.data_type frame.section_number http.chunk_size http.next_request_in ' +
    'http.next_response_in http.prev_request_in http.prev_response_in http.request_in http.request_number ' +
    'http.response_in http.response_number ip.cipso.doi ip.fragment ip.fragment.count ip.fragment.error ' +
    'ip.geoip.asnum ip.geoip.dst_asnum ip.geoip.src_asnum ip.opt.qs_nonce ip.opt.qs_reserved ip.opt.time_stamp ' +
    'ip.reassembled.length ip.reassembled_in ipv6.fraghdr.ident ipv6.fragment ipv6.fragment.count ' +
    'ipv6.fragment.error ipv6.geoip.asnum ipv6.geoip.dst_asnum ipv6.geoip.src_asnum ipv6.opt.calipso.doi ' +
    'ipv6.opt.ioam.trace.node.bufoccup ipv6.opt.ioam.trace.node.csum ipv6.opt.ioam.trace.node.eif_wide ' +
    'ipv6.opt.ioam.trace.node.iif_wide ipv6.opt.ioam.trace.node.nsdata ipv6.opt.ioam.trace.node.qdepth ' +
    'ipv6.opt.ioam.trace.node.trdelay ipv6.opt.ioam.trace.node.tsf ipv6.opt.ioam.trace.node.tss ' +
    'ipv6.opt.ioam.trace.node.undefined ipv6.opt.jumbo ipv6.opt.qs_nonce ipv6.opt.qs_reserved ' +
    'ipv6.opt.tpf_information ipv6.reassembled.in ipv6.reassembled.length ipv6.routing.crh32.current_sid ' +
    'ipv6.routing.crh32.sid ipv6.routing.rpl.cmprE ipv6.routing.rpl.cmprI ipv6.routing.rpl.pad ' +
    'ipv6.routing.rpl.reserved ipv6.tclass ipv6.tclass.dscp ipv6.tclass.ecn mpls.bottom mpls.exp mpls.label ' +
    'mpls.ttl null.family ppp.fcs_32 ppp.magic_number sll.ifindex tcp.ack tcp.ack_raw tcp.analysis.acks_frame ' +
    'tcp.analysis.bytes_in_flight tcp.analysis.duplicate_ack_frame tcp.analysis.duplicate_ack_num ' +
    'tcp.analysis.push_bytes_sent tcp.analysis.rto_frame tcp.continuation_to tcp.fin_retransmission tcp.len ' +
    'tcp.nxtseq tcp.options.cc_value tcp.options.echo_value tcp.options.mptcp.recvtok tcp.options.mptcp.sendrand ' +
    'tcp.options.mptcp.subflowseqno tcp.options.rvbd.probe.storeid tcp.options.sack.dsack_le ' +
    'tcp.options.sack.dsack_re tcp.options.sack_le tcp.options.sack_re tcp.options.timestamp.tsecr ' +
    'tcp.options.timestamp.tsval tcp.options.timestamp.tsval.syncookie.timestamp tcp.pdu.last_frame tcp.pdu.size ' +
    'tcp.proc.dstpid tcp.proc.dstuid tcp.proc.srcpid tcp.proc.srcuid tcp.reassembled.length tcp.reassembled_in ' +
    'tcp.segment tcp.segment.count tcp.segment.error tcp.seq tcp.seq_raw tcp.stream tcp.window_size ' +
    'tls.early_data.max_early_data_size tls.handshake.extensions.psk.identity.obfuscated_ticket_age ' +
    'tls.handshake.fragment tls.handshake.fragment.count tls.handshake.reassembled_in ' +
    'tls.handshake.session_ticket_age_add tls.handshake.session_ticket_lifetime_hint ' +
    'tls.quic.parameter.google.quic_version tls.quic.parameter.google.supported_version ' +
    'tls.quic.parameter.vi.chosen_version tls.quic.parameter.vi.other_version tls.reassembled.length ' +
    'tls.reassembled_in tls.segment tls.segment.count tls.segment.error udp.pdu.size udp.proc.dstpid ' +
    'udp.proc.dstuid udp.proc.srcpid udp.proc.srcuid udp.stream ',
  '56':
    'ipv6.opt.ioam.trace.node.id_wide ',
  '64':
    'frame.drop_count frame.packet_id http.content_length ipv6.opt.ioam.trace.node.nsdata_wide ' +
    'tcp.options.mptcp.addaddrtrunchmac tcp.options.mptcp.rawdataack tcp.options.mptcp.rawdataseqno ' +
    'tcp.options.mptcp.recvkey tcp.options.mptcp.sendkey tcp.options.mptcp.sendtrunchmac ' +
    'tls.quic.parameter.ack_delay_exponent tls.quic.parameter.active_connection_id_limit ' +
    'tls.quic.parameter.cibir_encoding.length tls.quic.parameter.cibir_encoding.offset ' +
    'tls.quic.parameter.enable_time_stamp_v2 tls.quic.parameter.facebook.partial_reliability ' +
    'tls.quic.parameter.google.initial_rtt tls.quic.parameter.initial_max_data ' +
    'tls.quic.parameter.initial_max_stream_data_bidi_local tls.quic.parameter.initial_max_stream_data_bidi_remote ' +
    'tls.quic.parameter.initial_max_stream_data_uni tls.quic.parameter.initial_max_streams_bidi ' +
    'tls.quic.parameter.initial_max_streams_uni tls.quic.parameter.length tls.quic.parameter.loss_bits ' +
    'tls.quic.parameter.max_ack_delay tls.quic.parameter.max_datagram_frame_size ' +
    'tls.quic.parameter.max_idle_timeout tls.quic.parameter.max_udp_payload_size tls.quic.parameter.min_ack_delay ' +
    'tls.quic.parameter.type ',
  '-8':
    'frame.p2p_dir ',
  '-16':
    'frame.encap_type ',
  '-32':
    'ipv6.routing.rpl.addr_count tcp.window_size_scalefactor ',
  '-64':
    'frame.file_off frame.verdict.ebpf_tc frame.verdict.ebpf_xdp ',
};

let table: Map<string, number> | undefined;

/** Bits of an integer field (negative: signed), or undefined when unknown. */
export function fieldBits(name: string): number | undefined {
  if (!table) {
    table = new Map();
    for (const [bits, names] of Object.entries(WIDTHS)) for (const n of names.split(' ')) if (n) table.set(n, Number(bits));
  }
  return table.get(name);
}
