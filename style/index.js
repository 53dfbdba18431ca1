import './status.css';
