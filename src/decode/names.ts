/** Wireshark's protocol titles of the layers the encapsulation decoders add (for -V and the JSON tree). */
export const LAYER_TITLES: Record<string, string> = {
  llc: 'Logical-Link Control', fddi: 'Fiber Distributed Data Interface', chdlc: 'Cisco HDLC', ppi: 'PPI version 0',
  radiotap: 'Radiotap Header', wlan: 'IEEE 802.11 Data', nflog: 'Linux Netfilter NFLOG', pktap: 'PKTAP', arcnet: 'ARCNET', juniper: 'Juniper',
  ieee8021ah: 'IEEE 802.1ah', vntag: 'VN-Tag', etag: 'E-Tag', ayiya: 'Anything in Anything Protocol', vxlan: 'Virtual eXtensible Local Area Network',
  geneve: 'Generic Network Virtualization Encapsulation', gtp: 'GPRS Tunneling Protocol', teredo: 'Teredo IPv6 over UDP tunneling',
  avsp: 'Arista Vendor Specific Protocol', fpp: 'IEEE 802.3br Frame Preemption Protocol', icmp: 'Internet Control Message Protocol', icmpv6: 'Internet Control Message Protocol v6', ah: 'Authentication Header',
};
