// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IDemoERC1155Receiver {
    function onERC1155Received(address operator, address from, uint256 id, uint256 value, bytes calldata data)
        external
        returns (bytes4);

    function onERC1155BatchReceived(
        address operator,
        address from,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external returns (bytes4);
}

/// @title Demo ERC-1155 of the blockwire local stack.
/// @notice Self-contained; `mint`, `mintBatch`, `burn` and `burnBatch` are open to anyone.
contract DemoERC1155 {
    mapping(uint256 => mapping(address => uint256)) private _balances;
    mapping(address => mapping(address => bool)) public isApprovedForAll;
    mapping(uint256 => uint256) public totalSupply;

    event TransferSingle(
        address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value
    );
    event TransferBatch(
        address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values
    );
    event ApprovalForAll(address indexed account, address indexed operator, bool approved);
    event URI(string value, uint256 indexed id);

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0xd9b67a26 || interfaceId == 0x0e89341c;
    }

    function uri(uint256) external pure returns (string memory) {
        return "";
    }

    function balanceOf(address account, uint256 id) public view returns (uint256) {
        return _balances[id][account];
    }

    function balanceOfBatch(address[] calldata accounts, uint256[] calldata ids)
        external
        view
        returns (uint256[] memory balances)
    {
        require(accounts.length == ids.length, "DemoERC1155: length mismatch");
        balances = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; i++) {
            balances[i] = _balances[ids[i]][accounts[i]];
        }
    }

    function setApprovalForAll(address operator, bool approved) external {
        isApprovedForAll[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes calldata data) external {
        require(from == msg.sender || isApprovedForAll[from][msg.sender], "DemoERC1155: not owner nor approved");
        require(to != address(0), "DemoERC1155: transfer to the zero address");
        _move(from, to, id, value);
        emit TransferSingle(msg.sender, from, to, id, value);
        _checkSingle(from, to, id, value, data);
    }

    function safeBatchTransferFrom(
        address from,
        address to,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external {
        require(from == msg.sender || isApprovedForAll[from][msg.sender], "DemoERC1155: not owner nor approved");
        require(to != address(0), "DemoERC1155: transfer to the zero address");
        require(ids.length == values.length, "DemoERC1155: length mismatch");
        for (uint256 i = 0; i < ids.length; i++) {
            _move(from, to, ids[i], values[i]);
        }
        emit TransferBatch(msg.sender, from, to, ids, values);
        _checkBatch(from, to, ids, values, data);
    }

    function mint(address to, uint256 id, uint256 value) external {
        require(to != address(0), "DemoERC1155: mint to the zero address");
        _balances[id][to] += value;
        totalSupply[id] += value;
        emit TransferSingle(msg.sender, address(0), to, id, value);
        _checkSingle(address(0), to, id, value, "");
    }

    function mintBatch(address to, uint256[] calldata ids, uint256[] calldata values) external {
        require(to != address(0), "DemoERC1155: mint to the zero address");
        require(ids.length == values.length, "DemoERC1155: length mismatch");
        for (uint256 i = 0; i < ids.length; i++) {
            _balances[ids[i]][to] += values[i];
            totalSupply[ids[i]] += values[i];
        }
        emit TransferBatch(msg.sender, address(0), to, ids, values);
        _checkBatch(address(0), to, ids, values, "");
    }

    function burn(address from, uint256 id, uint256 value) external {
        require(from == msg.sender || isApprovedForAll[from][msg.sender], "DemoERC1155: not owner nor approved");
        require(_balances[id][from] >= value, "DemoERC1155: burn amount exceeds balance");
        _balances[id][from] -= value;
        totalSupply[id] -= value;
        emit TransferSingle(msg.sender, from, address(0), id, value);
    }

    function burnBatch(address from, uint256[] calldata ids, uint256[] calldata values) external {
        require(from == msg.sender || isApprovedForAll[from][msg.sender], "DemoERC1155: not owner nor approved");
        require(ids.length == values.length, "DemoERC1155: length mismatch");
        for (uint256 i = 0; i < ids.length; i++) {
            require(_balances[ids[i]][from] >= values[i], "DemoERC1155: burn amount exceeds balance");
            _balances[ids[i]][from] -= values[i];
            totalSupply[ids[i]] -= values[i];
        }
        emit TransferBatch(msg.sender, from, address(0), ids, values);
    }

    function _move(address from, address to, uint256 id, uint256 value) private {
        require(_balances[id][from] >= value, "DemoERC1155: insufficient balance");
        _balances[id][from] -= value;
        _balances[id][to] += value;
    }

    function _checkSingle(address from, address to, uint256 id, uint256 value, bytes memory data) private {
        if (to.code.length == 0) return;
        bytes4 answer = IDemoERC1155Receiver(to).onERC1155Received(msg.sender, from, id, value, data);
        require(answer == IDemoERC1155Receiver.onERC1155Received.selector, "DemoERC1155: receiver rejected");
    }

    function _checkBatch(address from, address to, uint256[] calldata ids, uint256[] calldata values, bytes memory data)
        private
    {
        if (to.code.length == 0) return;
        bytes4 answer = IDemoERC1155Receiver(to).onERC1155BatchReceived(msg.sender, from, ids, values, data);
        require(answer == IDemoERC1155Receiver.onERC1155BatchReceived.selector, "DemoERC1155: receiver rejected");
    }
}
