import { expect, it } from 'vitest';
import { sniffFormat } from './sniff.js';

const sniff = (text: string) => sniffFormat(Buffer.from(text.slice(0, 16)), Buffer.from(text));

it('tells Zeek, Argus and CloudWatch JSON apart from their first line', () => {
  expect(sniff('#separator \\x09\n#set_separator\t,\n')).toBe('zeek-conn');
  expect(sniff('{"ts":1700000000.1,"uid":"C1","id.orig_h":"10.0.0.5","id.orig_p":1}\n')).toBe('zeek-conn');
  expect(sniff('{"ts":1700000000.1,"id":{"orig_h":"10.0.0.5"}}\n')).toBe('zeek-conn');
  expect(sniff('{"messageType":"DATA_MESSAGE","logEvents":[]}')).toBe('json');
  expect(sniff('{"message":"2 123 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK"}\n')).toBe('json');
  expect(
    sniff(
      'StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,Label\n',
    ),
  ).toBe('argus-binetflow');
  expect(sniff('StartTime,LastTime,Proto,SrcAddr,Sport,Dir,DstAddr,Dport\n')).toBe('argus-binetflow');
  expect(sniff('StartTime,Dur,Proto\n')).toBe('unknown');
  expect(sniff('version account-id interface-id srcaddr dstaddr\n')).toBe('vpc-text');
});
